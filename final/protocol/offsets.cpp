// protocol/offsets.cpp — (being written)
#include "protocol/offsets.h"
