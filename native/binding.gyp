{
  "targets": [
    {
      "target_name": "egresswatch_capture",
      "sources": ["src/addon.cc", "src/capture-handle.cc", "src/bpf-capture.cc", "src/ring-reader.cc", "src/kernel-btf.cc", "src/layout.cc", "src/privileges.cc", "src/reexec.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "gen",
        "bpf"
      ],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "libraries": ["-lbpf", "-lelf", "-lz", "-lpthread"]
    }
  ]
}
