// protocol/init_producer_id.cpp — (being written)
#include "protocol/init_producer_id.h"
