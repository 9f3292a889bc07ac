// generated from final/group/offsets_topic.cpp; edit there
// group/offsets_topic.cpp — (being written)
#include "group/offsets_topic.h"
