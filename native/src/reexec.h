// Replacing the process image in place (execve): the agent starts node again with its JS heap
// sized from the configured memory ceiling, keeping its PID, its parent and its descriptors.
#pragma once
#include <napi.h>

Napi::Value Reexec(const Napi::CallbackInfo& info);
