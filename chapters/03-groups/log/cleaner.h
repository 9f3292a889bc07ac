// generated from final/log/cleaner.h; edit there
// log/cleaner.h — (being written)
#pragma once
