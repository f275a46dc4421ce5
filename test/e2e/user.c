// User annotations: a task that begins on one thread and ends on another,
// regions (nested) inside it, and logs. dump shows each, summary tables them
// (tasks and regions by name, with durations the program forced; the newest
// logs), and export turns regions into slices and logs into instants. Without
// recording, the calls cost nothing and fr_task_begin returns 0.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr %t | FileCheck %s --check-prefix=OUT
// RUN: %frtool dump %t.fr | FileCheck %s --check-prefix=DUMP
// RUN: %frtool summary %t.fr | FileCheck %s --check-prefix=SUMMARY
// RUN: %frtool summary --json %t.fr > %t.json
// RUN: %summary_check %t.json 'user[site.function=request].duration.count==1' 'user[site.function=request].duration.max_ns>=30000000' 'user[site.function=parse].duration.count==2' 'user[site.function=parse].duration.max_ns>=10000000' 'user[site.function=render].duration.count==1' 'logs[0].category==http' 'logs[1].text==done'
// RUN: %frtool export --format=chrome -o %t.chrome.json %t.fr
// RUN: python3 %inputs/chrome_events.py %t.chrome.json | FileCheck %s --check-prefix=CHROME
// RUN: %t | FileCheck %s --check-prefix=OFF
// OUT: task 1
// OUT: handed over
// DUMP: task-begin request task=1
// DUMP: region-begin parse task=1
// DUMP: region-begin parse task=1
// DUMP: region-end parse task=1
// DUMP: region-end parse task=1
// DUMP: log http task=1 "GET /orders?id=42"
// DUMP: T[[T2:[0-9]+]] region-begin render task=1
// DUMP: T[[T2]] task-end end task=1
// DUMP: log app task=1 "done"
// SUMMARY: tasks
// SUMMARY-NEXT: count total mean p99 max name
// SUMMARY-NEXT: 1 {{.*}}ms {{.*}} request
// SUMMARY: regions
// SUMMARY-DAG: 2 {{.*}} parse
// SUMMARY-DAG: 1 {{.*}} render
// SUMMARY: logs (2; the newest 2)
// SUMMARY-NEXT: ms T{{[0-9]+}} task 1 http: GET /orders?id=42
// SUMMARY-NEXT: ms T{{[0-9]+}} task 1 app: done
// CHROME: i {{[0-9]+}} {{.*}} task request {"event": "begin", "task": 1}
// CHROME: B {{[0-9]+}} {{.*}} parse {"task": 1}
// CHROME: i {{[0-9]+}} {{.*}} http {"message": "GET /orders?id=42", "task": 1}
// CHROME: balanced
// OFF: task 0
#include "fr.h"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static uint64_t task;

static void *finisher(void *arg) {
  fr_region_begin(task, "render");
  usleep(5000);
  fr_region_end(task, "render");
  fr_task_end(task);
  fr_log(task, "app", "done");
  return arg;
}

int main(void) {
  task = fr_task_begin("request");
  printf("task %llu\n", (unsigned long long)task);
  fr_region_begin(task, "parse");
  fr_region_begin(task, "parse"); // nested, the same name
  usleep(10000);
  fr_region_end(task, "parse");
  fr_region_end(task, "parse");
  fr_log(task, "http", "GET /orders?id=42");
  usleep(20000);
  pthread_t t;
  pthread_create(&t, NULL, finisher, NULL);
  pthread_join(t, NULL);
  printf("handed over\n");
  return 0;
}
