// generated from final/group/offsets_topic.h; edit there
// group/offsets_topic.h — (being written)
#pragma once
