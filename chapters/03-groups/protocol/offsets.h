// generated from final/protocol/offsets.h; edit there
// protocol/offsets.h — (being written)
#pragma once
