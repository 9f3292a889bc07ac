// generated from final/protocol/init_producer_id.h; edit there
// protocol/init_producer_id.h — (being written)
#pragma once
