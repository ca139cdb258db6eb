#!/bin/bash
# A migrasim sweep as a Slurm batch job: the members are shared among all the MPI
# ranks of the job (rank 0 also writes the one output file). Submit it from the
# repository root:
#
#   sbatch scenarios/sweeps/slurm_example.sh scenarios/sweeps/baseline_sobol.yaml out/baseline_sobol.h5
#
# The job always runs with --resume: the first job starts the sweep, and a job
# that hits its time limit is stopped cleanly (SIGTERM five minutes before the
# limit: the finished members stay in OUT.h5.partial) and submits its own
# continuation, up to MAX_RESUBMITS times. The result does not depend on how many
# jobs, nodes, ranks or threads it took. See docs/sweeps.md, "MPI and clusters".
#
# Adjust the resources to the site: one rank per group of cores, each running one
# member at a time with --cpus-per-task OpenMP threads. Small members (tens of
# thousands of agents) run best with few threads and many ranks; members of
# millions of agents with more threads per rank.
#SBATCH --job-name=migrasim-sweep
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=8
#SBATCH --cpus-per-task=4
#SBATCH --mem-per-cpu=2G
#SBATCH --time=02:00:00
#SBATCH --signal=TERM@300
#SBATCH --output=migrasim-sweep-%j.log

set -uo pipefail

SWEEP=${1:?usage: sbatch slurm_example.sh SWEEP.yaml OUT.h5}
OUT=${2:?usage: sbatch slurm_example.sh SWEEP.yaml OUT.h5}
MIGRASIM=${MIGRASIM:-build/migrasim}
MAX_RESUBMITS=${MAX_RESUBMITS:-5}
RESUBMIT=${RESUBMIT:-0}

# Some sites need these for a clean srun launch of Open MPI programs, e.g.
#   module load openmpi hdf5
# and `srun --mpi=pmix` (see `srun --mpi=list`). With mpirun instead of srun:
#   mpirun --map-by ppr:${SLURM_NTASKS_PER_NODE}:node:PE=${SLURM_CPUS_PER_TASK} "$MIGRASIM" sweep ...
export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK}
export OMP_PROC_BIND=close OMP_PLACES=cores

# --threads is given explicitly: when Slurm binds each rank to its own cores, the
# default (the cores a rank sees, divided by the ranks on its node) would be too low.
srun --cpu-bind=cores "$MIGRASIM" sweep "$SWEEP" -o "$OUT" --resume --threads "${SLURM_CPUS_PER_TASK}"
status=$?

if [ -e "$OUT" ]; then
  # Exit status 1 with a complete file: some members failed (member_status = 2,
  # listed in the log); the others are in the file.
  echo "sweep complete: $OUT (exit status $status)"
  exit "$status"
fi
if [ -e "$OUT.partial" ] && [ "$RESUBMIT" -lt "$MAX_RESUBMITS" ]; then
  echo "sweep not finished (exit status $status); submitting continuation $((RESUBMIT + 1)) of at most $MAX_RESUBMITS"
  sbatch --dependency=afterany:"$SLURM_JOB_ID" --export=ALL,RESUBMIT=$((RESUBMIT + 1)) "$0" "$SWEEP" "$OUT"
fi
exit "$status"
