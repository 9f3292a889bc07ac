// group/offsets_topic.cpp — (being written)
#include "group/offsets_topic.h"
