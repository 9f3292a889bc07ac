// generated from final/log/cleaner.cpp; edit there
// log/cleaner.cpp — (being written)
#include "log/cleaner.h"
