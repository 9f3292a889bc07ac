// protocol/groups.cpp — (being written)
#include "protocol/groups.h"
