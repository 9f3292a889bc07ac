// generated from final/log/producer_state.cpp; edit there
// log/producer_state.cpp — (being written)
#include "log/producer_state.h"
