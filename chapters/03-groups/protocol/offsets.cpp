// generated from final/protocol/offsets.cpp; edit there
// protocol/offsets.cpp — (being written)
#include "protocol/offsets.h"
