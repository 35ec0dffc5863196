// Giving up what the process may gain: PR_SET_NO_NEW_PRIVS, so no program it starts (and no
// setuid binary) can ever run with more privileges than it has.
#pragma once
#include <napi.h>

Napi::Value SetNoNewPrivs(const Napi::CallbackInfo& info);
