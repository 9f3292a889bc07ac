// generated from final/protocol/groups.cpp; edit there
// protocol/groups.cpp — (being written)
#include "protocol/groups.h"
