/**
 * One truncation of truncated BPTT, the one algorithm meta-training runs (paper §2), on flat
 * arrays whatever the engine:
 *
 * 1. forward: T steps of the learned optimizer (the LSTM on the engine, plus its base step, if
 *    any) from where the optimizee is, recording the LSTM's steps;
 * 2. suffix sums: the meta-loss of the truncation is L(φ) = Σ_{s=1..T} l(θs) with
 *    θs = θ0 + Σ_{t<s} Δt and l the mean member loss. The optimizee gradient ∇t fed to the LSTM
 *    is held constant (no second derivatives), so ∂L/∂Δt = Σ_{s>t} ∇l(θs): a suffix sum of
 *    gradients the forward pass computed anyway;
 * 3. meta-gradient: ∂L/∂φ is then exactly the gradient of S(φ) = Σ_t ⟨Δt(φ), stop(∂L/∂Δt)⟩, which
 *    the engine back-propagates through the recorded LSTM steps (`LstmKernel.metaGradient`); a
 *    learned base rate β adds ∂L/∂β = Σ_t ⟨∂L/∂Δt, b_t⟩ (b_t: the base step's update).
 *
 * With a teacher (imitation, Chen et al. 2020), θ moves by the teacher's updates instead, the
 * LSTM reads the gradients along the teacher's trajectory, and the loss is
 * L = Σ_t ½·mean_j (Δlearned_t − Δteacher_t)², so ∂L/∂Δt = (Δlearned_t − Δteacher_t)/n and step 3
 * is the same. With `follow: 'learner'` (on-policy imitation, as DAgger, Ross et al. 2011) θ
 * moves by the learned optimizer's own updates and the teacher's state runs on the gradients
 * along that trajectory, so the LSTM is taught where it actually goes; the gradients are held
 * constant as in step 2, so the trajectory's own dependence on φ is left out. With `train` off the function only advances the optimizee (the part of a
 * horizon that `updateFromStep` leaves out of meta-training). `referenceMetaGradient.ts` keeps
 * the plain autodiff paths that tests compare this with.
 */
import type { Engine, LstmStates, RowStates } from '../engine/engine.ts';
import { baseOptimizer, type BaseStep } from '../learned/baseStep.ts';
import { baseLogRate, lstmParams, type LstmConfig } from '../learned/lstmConfig.ts';
import { applyUpdates, type Optimizer, type SavedState } from '../optimizers/optimizer.ts';
import { meanLoss, meanLossScale, metaObjectiveGrad, metaObjectiveValue, type MetaObjective, type Task } from '../tasks/task.ts';

/** Where an optimizee is in its horizon under the learned optimizer; truncations advance it in place. */
export interface OptimizeeState {
  /** θ (flat). */
  theta: Float32Array;
  /** The LSTM's states of every coordinate (engine-owned). */
  lstm: LstmStates;
  /** The base step's optimizer (at its configured rate; a learned rate scales its updates) and state, with a base step. */
  base: { optimizer: Optimizer; state: unknown } | null;
  /** A teacher whose updates move θ and which the learned optimizer imitates (imitation iterations only). */
  teacher?: { optimizer: Optimizer; state: unknown };
  /** Updates taken so far: the next minibatch's index. */
  step: number;
  /** The objective's gradient at θ (step `step`), once computed. */
  grad: Float32Array | null;
}

/** What one truncation gives. */
export interface TruncationResult {
  /** Mean member loss after each update of the truncation (s = 1..T); L is their sum (for 'loss'). */
  losses: number[];
  /** The meta-objective's terms summed over the truncation's steps (`metaObjectiveValue`): L itself, without a teacher. */
  objectiveSum: number;
  /** ∂L/∂φ (flat, φ's order), or null when not training. */
  metaGrad: Float32Array | null;
  /** With a teacher: the imitation loss Σ_t ½·mean_j (Δlearned − Δteacher)². */
  imitationLoss?: number;
}

/** The learned optimizer's fresh state on `task` at θ0 (copied): zero LSTM states, a fresh base step. */
export function startOptimizee(engine: Pick<Engine, 'lstm'>, config: LstmConfig, theta0: Float32Array): OptimizeeState {
  const base = config.base ? baseOptimizer(config.base) : null;
  return {
    theta: theta0.slice(),
    lstm: engine.lstm.states(config, theta0.length),
    base: base ? { optimizer: base, state: base.init(theta0.length) } : null,
    step: 0,
    grad: null,
  };
}

/** Frees what an optimizee state holds in the engine. */
export function releaseOptimizee(engine: Pick<Engine, 'lstm'>, state: OptimizeeState): void {
  engine.lstm.release(state.lstm);
  state.base?.optimizer.dispose(state.base.state);
  state.teacher?.optimizer.dispose(state.teacher.state);
}

/** An optimizee state as plain data (copies), to restart from it or send it elsewhere. */
export interface SavedOptimizee {
  theta: Float32Array;
  lstm: RowStates;
  base: SavedState | null;
  /** An imitation iteration's teacher state (absent otherwise). */
  teacher?: SavedState;
  step: number;
  grad: Float32Array | null;
}

/** A copy of `state` as plain data. */
export function saveOptimizee(engine: Pick<Engine, 'lstm'>, state: OptimizeeState): SavedOptimizee {
  return {
    theta: state.theta.slice(),
    lstm: engine.lstm.read(state.lstm),
    base: state.base ? state.base.optimizer.save(state.base.state) : null,
    ...(state.teacher ? { teacher: state.teacher.optimizer.save(state.teacher.state) } : {}),
    step: state.step,
    grad: state.grad?.slice() ?? null,
  };
}

/** An optimizee state for the learned optimizer `config` (and the imitation teacher, if saved with one) from saved data (copied). */
export function loadOptimizee(engine: Pick<Engine, 'lstm'>, config: LstmConfig, saved: SavedOptimizee, teacherStep?: BaseStep): OptimizeeState {
  const n = saved.theta.length;
  const base = config.base ? baseOptimizer(config.base) : null;
  if (!base !== !saved.base) throw new Error(config.base ? 'the saved optimizee has no base-step state' : 'the saved optimizee has a base-step state, the configuration none');
  if (saved.teacher && !teacherStep) throw new Error('the saved optimizee has a teacher state: name the teacher to load it');
  const teacher = saved.teacher ? baseOptimizer(teacherStep!) : null;
  return {
    ...(teacher ? { teacher: { optimizer: teacher, state: teacher.load(saved.teacher!, n) } } : {}),
    theta: saved.theta.slice(),
    lstm: engine.lstm.states(config, n, saved.lstm),
    base: base ? { optimizer: base, state: base.load(saved.base!, n) } : null,
    step: saved.step,
    grad: saved.grad?.slice() ?? null,
  };
}

/** Whose updates move θ on an imitation iteration: the teacher's (Chen et al. 2020) or the learned optimizer's (on-policy). */
export type ImitationTrajectory = 'teacher' | 'learner';

/** The learned optimizer a truncation runs: its configuration and φ (flat). */
export interface LearnedParams {
  config: LstmConfig;
  phi: Float32Array;
}

/**
 * Runs `length` steps of the learned optimizer `learned` from `state` (advanced in place); with
 * `train`, also returns ∂L/∂φ, where L sums the mean member loss ('loss', the paper) or the mean
 * member log-loss ('log') over the steps — or, when `state` has a teacher, is the imitation loss.
 */
export function truncation(
  engine: Pick<Engine, 'lstm'>,
  learned: LearnedParams,
  task: Task,
  state: OptimizeeState,
  length: number,
  { objective = 'loss', train = true, follow = 'teacher' }: { objective?: MetaObjective; train?: boolean; follow?: ImitationTrajectory } = {},
): TruncationResult {
  const { config, phi } = learned;
  const kernel = engine.lstm;
  const weights = kernel.weights(config, lstmParams(config, phi));
  const recording = train ? kernel.record(weights, state.lstm, length) : undefined;
  // A learned base rate scales the base step's updates by e^β; they are kept for ∂L/∂β.
  const learnRate = train && !!config.base?.learnRate;
  const baseScale = Math.exp(baseLogRate(config, phi));
  const baseUpdates: Float32Array[] = [];
  const losses: number[] = [];
  const dUpdates: Float32Array[] = [];
  let imitationLoss = 0;
  let objectiveSum = 0;
  let grad = state.grad ?? task.lossAndGrad(state.theta, state.step).grad;
  for (let t = 0; t < length; t++) {
    const updates = kernel.step(weights, state.lstm, grad, recording, state.theta);
    if (state.base) {
      const b = state.base.optimizer.update(grad, state.base.state);
      if (baseScale !== 1) for (let j = 0; j < b.length; j++) b[j] *= baseScale;
      for (let j = 0; j < updates.length; j++) updates[j] += b[j];
      if (learnRate) baseUpdates.push(b);
    }
    if (state.teacher) {
      // Imitation: θ follows the teacher (or the learner, on-policy); ∂L/∂Δt = (Δlearned − Δteacher)/n.
      const taught = state.teacher.optimizer.update(grad, state.teacher.state);
      const n = updates.length;
      const d = new Float32Array(n);
      for (let j = 0; j < n; j++) {
        const e = updates[j] - taught[j];
        d[j] = e / n;
        imitationLoss += (0.5 * e * e) / n;
      }
      if (train) dUpdates.push(d);
      applyUpdates(state.theta, follow === 'learner' ? updates : taught);
    } else {
      applyUpdates(state.theta, updates);
    }
    state.step++;
    const evaluated = task.lossAndGrad(state.theta, state.step);
    losses.push(meanLoss(evaluated.losses));
    objectiveSum += metaObjectiveValue(objective, evaluated.losses);
    if (train && !state.teacher) dUpdates.push(metaObjectiveGrad(objective, task, evaluated));
    grad = evaluated.grad;
  }
  state.grad = grad;
  const imitation = state.teacher ? { imitationLoss } : {};
  if (!recording) {
    kernel.release(weights);
    return { losses, objectiveSum, metaGrad: null, ...imitation };
  }
  // ∂L/∂Δt = scale · Σ_{s>t} ∇s: the gradient after step t and every later one.
  if (!state.teacher) suffixSums(dUpdates, meanLossScale(task));
  const lstmGrad = kernel.metaGradient(recording, dUpdates);
  kernel.release(weights);
  if (!config.base?.learnRate) return { losses, objectiveSum, metaGrad: lstmGrad, ...imitation };
  // ∂L/∂β = Σ_t ⟨∂L/∂Δt, b_t⟩ (b_t = e^β·b₀_t depends on β as b_t does).
  let dBeta = 0;
  dUpdates.forEach((d, t) => {
    const b = baseUpdates[t];
    for (let j = 0; j < d.length; j++) dBeta += d[j] * b[j];
  });
  const metaGrad = new Float32Array(phi.length);
  metaGrad.set(lstmGrad);
  metaGrad[lstmGrad.length] = dBeta;
  return { losses, objectiveSum, metaGrad, ...imitation };
}

/** In place: w[t] ← scale · Σ_{s≥t} w[s], i.e. ∂L/∂Δt from the gradients after each step. */
export function suffixSums(w: Float32Array[], scale: number): void {
  if (w.length === 0) return;
  const acc = new Float64Array(w[0].length);
  for (let t = w.length - 1; t >= 0; t--) {
    const row = w[t];
    for (let j = 0; j < row.length; j++) {
      acc[j] += row[j];
      row[j] = acc[j] * scale;
    }
  }
}
