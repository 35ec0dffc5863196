// Names of the kernel's enum skb_drop_reason values, read from the running kernel's BTF so they
// always match the kernel that reports them.
#include "kernel-btf.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

std::vector<std::pair<uint32_t, std::string>> KernelEnumValues(const char* enumName) {
  std::vector<std::pair<uint32_t, std::string>> out;
  struct btf* btf = btf__load_vmlinux_btf();
  if (!btf || libbpf_get_error(btf)) return out;
  int id = btf__find_by_name_kind(btf, enumName, BTF_KIND_ENUM);
  if (id > 0) {
    const struct btf_type* t = btf__type_by_id(btf, id);
    const struct btf_enum* e = btf_enum(t);
    for (int i = 0; i < btf_vlen(t); i++) {
      const char* name = btf__name_by_offset(btf, e[i].name_off);
      out.emplace_back(static_cast<uint32_t>(e[i].val), name ? name : "");
    }
  }
  btf__free(btf);
  return out;
}
