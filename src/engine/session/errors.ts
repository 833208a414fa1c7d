/**
 * The session's own error: a call that does not fit the session's state (no dataset or model
 * loaded, training running, nothing to export, a model that does not fit the dataset). Its
 * `message` is a sentence the dashboard shows as is. Bad files and configs keep their own typed
 * errors (DatasetError, ModelFormatError, TrainError, AttackOptionError), also readable.
 */
export class SessionError extends Error {
  override readonly name = 'SessionError';
}
