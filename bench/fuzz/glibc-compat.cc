// The three symbols that Jazzer.js's prebuilt fuzzer takes from glibc 2.38 and libstdc++ 13, for
// Debian 12's glibc 2.36 and libstdc++ 12 (see prebuilt-compat.ts). Loaded with LD_PRELOAD.
#include <cstdlib>
#include <iostream> // its static initialiser sets up the standard streams, as libstdc++ 13 does
// glibc 2.38 names C23's strtol and strtoul this way; they differ only in also reading "0b" prefixes.
extern "C" long __isoc23_strtol(const char *s, char **end, int base) { return std::strtol(s, end, base); }
extern "C" unsigned long __isoc23_strtoul(const char *s, char **end, int base) { return std::strtoul(s, end, base); }
// libstdc++ 13 headers reference this only to pull in the library's stream initialisation.
namespace std {
void ios_base_library_init() {}
}
