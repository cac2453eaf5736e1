#include "Commands.h"

#include <cstdio>

namespace Aqueduct::App {

int runGui(int& argc, char** argv)
{
    (void)argc;
    (void)argv;
    std::fputs("aqueduct: desktop app not built yet\n", stderr);
    return ExitInvalidInput;
}

} // namespace Aqueduct::App
