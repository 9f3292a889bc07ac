// log/producer_state.h — (being written)
#pragma once
