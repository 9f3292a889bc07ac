// group/offsets_topic.h — (being written)
#pragma once
