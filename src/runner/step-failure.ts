/** A failure the user must act on, with a message that says how: it fails the step, without the stack a defect would print. */
export class StepFailure extends Error {
  override name = 'StepFailure'
}
