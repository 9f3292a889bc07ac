// generated from final/group/coordinator.cpp; edit there
// group/coordinator.cpp — (being written)
#include "group/coordinator.h"
