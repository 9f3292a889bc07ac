// generated from final/protocol/init_producer_id.cpp; edit there
// protocol/init_producer_id.cpp — (being written)
#include "protocol/init_producer_id.h"
