#pragma once

// Plugin SDK: a handler plugin is a shared library (built with the CMake function
// `aqueduct_add_handler_plugin`) that exports one C function, `aqueduct_plugin_entry`,
// describing itself. Write a register function and let the macro define the entry:
//
//     void registerMyHandlers(Aqueduct::HandlerRegistry& registry)
//     {
//         registry.add(MyHandler::info(), [] { return std::make_unique<MyHandler>(); });
//     }
//     AQUEDUCT_HANDLER_PLUGIN(registerMyHandlers)
//
// The host loads it with dlopen, checks `abiVersion` against its own and the Qt version
// the plugin was built with, then calls `registerHandlers` with a staging registry.
// See docs/plugins.md.

#include "aqueduct/HandlerRegistry.h"
#include "aqueduct/Version.h"

#include <QtGlobal>

#include <cstdint>

/// Bumped whenever a type a plugin sees (Handler, HandlerParams, Task, Value,
/// HandlerInfo, ParamSpec, HandlerRegistry) changes layout or virtual functions. The host
/// refuses a plugin built with a different value.
#define AQUEDUCT_PLUGIN_ABI_VERSION 2 // 2: HandlerInfo::check; tensor values

/// Name of the entry function every plugin exports (for dlsym).
#define AQUEDUCT_PLUGIN_ENTRY_SYMBOL "aqueduct_plugin_entry"

#ifndef AQUEDUCT_PLUGIN_NAME
/// Set by aqueduct_add_handler_plugin to the target name; informational only.
#define AQUEDUCT_PLUGIN_NAME ""
#endif

extern "C" {

/// What a plugin tells the host about itself. `abiVersion` and `structSize` come first
/// and never move, so any host can read them from any plugin before trusting the rest.
struct AqueductPluginInfo {
    std::uint32_t abiVersion;    ///< AQUEDUCT_PLUGIN_ABI_VERSION the plugin was built with
    std::uint32_t structSize;    ///< sizeof(AqueductPluginInfo) the plugin was built with
    const char* aqueductVersion; ///< AQUEDUCT_VERSION_STRING of the SDK, e.g. "0.1.0"
    std::uint32_t qtVersion;     ///< QT_VERSION of the Qt headers the plugin was built with
    const char* pluginName;      ///< informational, may be empty
    /// Adds the plugin's handlers. May throw: the host then reports the plugin as broken
    /// and keeps none of its handlers.
    void (*registerHandlers)(Aqueduct::HandlerRegistry& registry);
};

using AqueductPluginEntryFunction = const AqueductPluginInfo* (*)();

} // extern "C"

/// Defines the plugin's exported entry point around `registerFunction`, a function
/// `void (Aqueduct::HandlerRegistry&)`. Use once per plugin, at namespace scope.
#define AQUEDUCT_HANDLER_PLUGIN(registerFunction)                                                  \
    extern "C" __attribute__((visibility("default"))) const AqueductPluginInfo*                    \
    aqueduct_plugin_entry() {                                                                      \
        static const AqueductPluginInfo info{                                                      \
            AQUEDUCT_PLUGIN_ABI_VERSION, static_cast<std::uint32_t>(sizeof(AqueductPluginInfo)),   \
            AQUEDUCT_VERSION_STRING,     static_cast<std::uint32_t>(QT_VERSION),                   \
            AQUEDUCT_PLUGIN_NAME,        &(registerFunction)};                                     \
        return &info;                                                                              \
    }
