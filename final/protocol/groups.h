// protocol/groups.h — (being written)
#pragma once
