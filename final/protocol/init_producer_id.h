// protocol/init_producer_id.h — (being written)
#pragma once
