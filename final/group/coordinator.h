// group/coordinator.h — (being written)
#pragma once
