// Reads enum values by name from the running kernel's BTF (/sys/kernel/btf/vmlinux).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

std::vector<std::pair<uint32_t, std::string>> KernelEnumValues(const char* enumName);
