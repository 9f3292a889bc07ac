// generated from final/protocol/groups.h; edit there
// protocol/groups.h — (being written)
#pragma once
