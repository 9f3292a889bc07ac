// protocol/offsets.h — (being written)
#pragma once
