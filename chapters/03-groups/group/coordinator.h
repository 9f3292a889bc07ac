// generated from final/group/coordinator.h; edit there
// group/coordinator.h — (being written)
#pragma once
