// Describes the record layout of events.h to JavaScript.
#pragma once
#include <napi.h>

Napi::Object RecordLayout(Napi::Env env);
