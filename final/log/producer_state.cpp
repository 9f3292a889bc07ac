// log/producer_state.cpp — (being written)
#include "log/producer_state.h"
