// log/cleaner.h — (being written)
#pragma once
