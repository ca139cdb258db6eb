// OpenMP threads that wait sleep rather than spin: the executable's default
// (sim/cli/openmp_wait.cpp).
#pragma once

namespace migrasim {

// Unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is set, sets OMP_WAIT_POLICY=PASSIVE
// and starts the executable again with the same arguments (the OpenMP runtime
// reads it only when it starts); returns only if that cannot be done, and then
// the run goes on with the runtime's own default. Call first thing in main.
void restart_with_sleeping_openmp_threads(char** argv);

}  // namespace migrasim
