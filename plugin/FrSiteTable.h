//===- FrSiteTable.h - per-module site descriptors --------------*- C++ -*-===//
//
// FILE:        plugin/FrSiteTable.h
// DESCRIPTION: Collects one fr_site_desc per instrumented function and emits
//              them as one array in the FR_SITE_SECTION section, plus the
//              module's site-id base (an internal i32 the runtime fills in),
//              its guard bytes (one per site, which the runtime sets and the
//              inserted code tests), a constructor, priority 1 so that it
//              runs before the module's other constructors, that registers
//              them, and a destructor that unregisters the guards (dlclose).
//              Everything is internal to the module, so the same code is
//              right in executables, shared libraries and LTO partitions.
//
//===----------------------------------------------------------------------===//
#ifndef FR_PLUGIN_SITETABLE_H
#define FR_PLUGIN_SITETABLE_H

#include "llvm/IR/Module.h"

#include <string>
#include <vector>

namespace fr {

class SiteTable {
public:
  explicit SiteTable(llvm::Module &M);

  // The module's base variable: a site's id is base + its local index.
  llvm::GlobalVariable *base() const { return Base; }
  // The module's guard bytes: a placeholder until finish(), which puts the
  // array of one byte per site in its place.
  llvm::GlobalVariable *guards() const { return Guards; }

  unsigned add(uint16_t Kind, const std::string &Function,
               const std::string &File, unsigned Line, uint16_t Detail = 0,
               const std::string &Callee = "");

  unsigned size() const { return Sites.size(); }

  // Emits the table and the constructor; nothing when no site was added.
  void finish();

private:
  struct Site {
    uint16_t Kind, Detail;
    std::string Function, File, Callee;
    unsigned Line;
  };
  llvm::Module &M;
  llvm::GlobalVariable *Base;
  llvm::GlobalVariable *Guards;
  std::vector<Site> Sites;
};

} // namespace fr

#endif
