// log/cleaner.cpp — (being written)
#include "log/cleaner.h"
