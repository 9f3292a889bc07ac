// group/coordinator.cpp — (being written)
#include "group/coordinator.h"
