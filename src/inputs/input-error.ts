import { StepFailure } from '../runner/step-failure.ts'

/** A bad input value; the step fails before anything else happens. */
export class InputError extends StepFailure {
  override name = 'InputError'
}
