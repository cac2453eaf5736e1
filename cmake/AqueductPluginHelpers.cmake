# aqueduct_add_handler_plugin(<name> [SOURCES] <source>... [LIBRARIES <lib>...] [INSTALL])
#
# Builds <name>.so, a handler plugin: a MODULE library linking Aqueduct::engine whose only
# exported symbol is the entry point defined by AQUEDUCT_HANDLER_PLUGIN (see
# aqueduct/HandlerPlugin.h). INSTALL adds an install rule to lib/aqueduct/plugins under
# the project's install prefix: /usr for system-wide plugins, ~/.local for your own.
# Put the built file (or its folder) on AQUEDUCT_PLUGIN_PATH to try it without installing.
include_guard(GLOBAL)

function(aqueduct_add_handler_plugin name)
    cmake_parse_arguments(PARSE_ARGV 1 ARG "INSTALL" "" "SOURCES;LIBRARIES")
    set(sources ${ARG_SOURCES} ${ARG_UNPARSED_ARGUMENTS})
    if(NOT sources)
        message(FATAL_ERROR "aqueduct_add_handler_plugin(${name}): no SOURCES given")
    endif()

    add_library(${name} MODULE ${sources})
    target_link_libraries(${name} PRIVATE Aqueduct::engine ${ARG_LIBRARIES})
    # C++20 like the engine (QCoro and std::span in the public headers).
    target_compile_features(${name} PRIVATE cxx_std_20)
    # AQUEDUCT_PLUGIN_NAME is reported by the host; hidden visibility keeps every symbol
    # but the entry point private, so two plugins never clash over a helper's name.
    target_compile_definitions(${name} PRIVATE AQUEDUCT_PLUGIN_NAME="${name}")
    set_target_properties(${name} PROPERTIES
        PREFIX ""
        SUFFIX ".so"
        CXX_VISIBILITY_PRESET hidden
        VISIBILITY_INLINES_HIDDEN ON
        POSITION_INDEPENDENT_CODE ON)
    # Unresolved symbols fail the link here rather than the dlopen in the host.
    target_link_options(${name} PRIVATE "LINKER:--no-undefined")

    if(ARG_INSTALL)
        install(TARGETS ${name} LIBRARY DESTINATION lib/aqueduct/plugins)
    endif()
endfunction()
