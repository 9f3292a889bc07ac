// generated from final/log/producer_state.h; edit there
// log/producer_state.h — (being written)
#pragma once
