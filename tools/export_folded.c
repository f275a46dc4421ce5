// SPDX-License-Identifier: Apache-2.0
// export_folded.c: frtool export --format=folded: one line per distinct
// stack, "main;handle;read 1234" (nanoseconds of self time), for
// flamegraph.pl, inferno and speedscope; and the stacks as a tree of nodes,
// which the replay builds for this format and the report's flame graph.
// Memory grows with the number of distinct stacks, not with the snapshot.
#include "fr_export.h"

#include <stdlib.h>
#include <string.h>

static uint64_t node_hash(uint32_t parent, uint32_t kind, uint32_t site) {
  uint64_t h = ((uint64_t)parent << 32 | site) * 0x9e3779b97f4a7c15ull;
  return h ^ (kind + 1) * 0xbf58476d1ce4e5b9ull;
}

// The node for frame (kind, site) under parent, created when new.
static uint32_t stack_node(struct exporter *x, uint32_t parent, uint32_t kind,
                           uint32_t site) {
  if (parent != UINT32_MAX) {
    const struct stack_node *p = &x->nodes[parent];
    if (p->last_child != UINT32_MAX && p->last_kind == kind &&
        p->last_site == site)
      return p->last_child;
  }
  uint64_t h = node_hash(parent, kind, site);
  for (;;) {
    uint32_t *slot = fr_map_slot(&x->folded, h);
    if (!slot)
      return UINT32_MAX;
    if (*slot == UINT32_MAX) {
      if (fr_grow((void **)&x->nodes, &x->node_cap, x->node_count + 1,
                  sizeof(*x->nodes)))
        return UINT32_MAX;
      *slot = x->node_count++;
      const struct name *name = export_name_of(x, kind, site);
      uint32_t len = name ? (uint32_t)strlen(name->text) : 1;
      const struct stack_node *up =
          parent == UINT32_MAX ? NULL : &x->nodes[parent];
      x->nodes[*slot] = (struct stack_node){
          .parent = parent,
          .kind = kind,
          .site = site,
          .depth = up ? up->depth + 1 : 1,
          .path_len = up ? up->path_len + 1 + len : len,
          .last_site = UINT32_MAX};
    }
    const struct stack_node *n = &x->nodes[*slot];
    if (n->parent == parent && n->kind == kind && n->site == site) {
      if (parent != UINT32_MAX) {
        struct stack_node *p = &x->nodes[parent];
        p->last_kind = kind;
        p->last_site = site;
        p->last_child = *slot;
      }
      return *slot;
    }
    h = h * 31 + 7; // another frame with the same hash: probe on
  }
}

// The node a frame (kind, site) opened under parent gets in the stacks.
uint32_t export_frame_node(struct exporter *x, uint32_t parent, uint32_t kind,
                           uint32_t site) {
  if (parent != UINT32_MAX && x->nodes[parent].kind == ITEM_DEEPER)
    return parent; // already below the cut
  uint32_t node = stack_node(x, parent, kind, site);
  if (node == UINT32_MAX || parent == UINT32_MAX)
    return node;
  const struct stack_node *n = &x->nodes[node];
  if (n->depth > MAX_SHOWN_DEPTH || n->path_len > FOLDED_PATH_MAX)
    return stack_node(x, parent, ITEM_DEEPER, 0);
  return node;
}

static uint32_t parent_key(const struct exporter *x, uint32_t node) {
  uint32_t p = x->nodes[node].parent;
  return p == UINT32_MAX ? x->node_count : p; // the roots' "parent": n
}

static int node_order(const void *a, const void *b, void *arg) {
  const struct exporter *x = arg;
  uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
  uint32_t p = parent_key(x, i), q = parent_key(x, j);
  if (p != q)
    return p < q ? -1 : 1;
  return strcmp(x->names[x->nodes[i].name].text,
                x->names[x->nodes[j].name].text);
}

// Calls line(x, "main;parse;read", self ns) for every stack that ended,
// parents before children, siblings by name: the same lines in the same
// order for equal snapshots. Memory: the nodes and one path, whatever the
// number of lines.
void export_folded_walk(struct exporter *x,
                        void (*line)(struct exporter *, const char *,
                                     const struct stack_node *)) {
  uint32_t n = x->node_count;
  uint32_t *order = malloc((n + 1) * sizeof(*order));
  uint32_t *first = calloc(n + 2, sizeof(*first)); // children of p: order
                                                   // [first[p], first[p+1])
  char *path = malloc(FOLDED_PATH_MAX + NAME_SHOWN_MAX + 32);
  int named = 1;
  for (uint32_t i = 0; order && i < n; i++) {
    const struct name *nm = export_name_of(x, x->nodes[i].kind, x->nodes[i].site);
    named &= nm != NULL;
    x->nodes[i].name = nm ? (uint32_t)(nm - x->names) : 0;
    order[i] = i;
  }
  if (!order || !first || !path || !named || !n)
    goto done;
  qsort_r(order, n, sizeof(*order), node_order, x);
  for (uint32_t i = 0; i < n; i++)
    first[parent_key(x, i) + 1]++;
  for (uint32_t p = 0; p <= n; p++)
    first[p + 1] += first[p];
  // Depth-first; frames are at most MAX_SHOWN_DEPTH + 1 deep (frame_node).
  struct {
    uint32_t next, end;
    size_t len; // of the path above this level
  } level[MAX_SHOWN_DEPTH + 3];
  int depth = 0;
  level[0].next = first[n];
  level[0].end = first[n + 1];
  level[0].len = 0;
  while (depth >= 0) {
    if (level[depth].next >= level[depth].end) {
      depth--;
      continue;
    }
    uint32_t node = order[level[depth].next++];
    const struct stack_node *sn = &x->nodes[node];
    const char *text = x->names[sn->name].text;
    size_t at = level[depth].len, len = strlen(text);
    if (at + 1 + len > FOLDED_PATH_MAX + NAME_SHOWN_MAX + 16)
      continue; // cannot happen: frame_node cut the stack before
    if (at)
      path[at++] = ';';
    // A space would end the stack, a ';' split a frame, a line break end
    // the line: each is replaced, one character for one.
    for (size_t k = 0; k < len; k++) {
      unsigned char c = (unsigned char)text[k];
      path[at + k] = c == ' ' ? '_' : c == ';' ? ':' : c < 0x20 ? '?' : c;
    }
    path[at + len] = 0;
    if (sn->ended)
      line(x, path, sn);
    if (depth + 1 < MAX_SHOWN_DEPTH + 3) {
      depth++;
      level[depth].next = first[node];
      level[depth].end = first[node + 1];
      level[depth].len = at + len;
    }
  }
done:
  free(order);
  free(first);
  free(path);
}

static void folded_line(struct exporter *x, const char *path,
                        const struct stack_node *sn) {
  fprintf(x->out, "%s %llu\n", path, (unsigned long long)sn->self_ns);
}

static int folded_end(struct exporter *x) {
  export_folded_walk(x, folded_line);
  return 0;
}

const struct export_format export_folded = {
    .name = "folded",
    .extension = ".folded",
    .stacks = 1,
    .end = folded_end,
};
