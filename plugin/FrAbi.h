//===- FrAbi.h - what the plugin and the runtime agree on -------*- C++ -*-===//
//
// FILE:        plugin/FrAbi.h
// DESCRIPTION: The runtime's side of the ABI is include/fr_format.h; the plugin
//              includes that same header (it is plain C) so the section name,
//              site kinds and the unregistered id base cannot drift apart.
//              Symbol names of the hooks are here.
//
//===----------------------------------------------------------------------===//
#ifndef FR_PLUGIN_ABI_H
#define FR_PLUGIN_ABI_H

#include "fr_format.h"

namespace fr {
constexpr const char *ActiveFlag = "__fr_active";        // i8, nonzero: record
constexpr const char *EnterHook = "__fr_func_enter";     // void(i32 site)
constexpr const char *ExitHook = "__fr_func_exit";       // void(i32 site)
constexpr const char *RegisterHook = "__fr_register_module"; // see fr_sites.c
constexpr const char *DoneMetadata = "fr.instrumented";  // module already done
} // namespace fr

#endif
