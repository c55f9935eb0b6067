/** What went wrong, independent of any transport. */
export enum BrokerErrorCode {
  InvalidSubject = 'INVALID_SUBJECT',
  SubscriberNotFound = 'SUBSCRIBER_NOT_FOUND',
  Overflow = 'OVERFLOW',
  BadId = 'BAD_ID',
  AsyncQueueFull = 'ASYNC_QUEUE_FULL',
  TooManySubscribers = 'TOO_MANY_SUBSCRIBERS',
  ShuttingDown = 'SHUTTING_DOWN',
  NotAcknowledged = 'NOT_ACKNOWLEDGED',
  TooManyAnswersInFlight = 'TOO_MANY_ANSWERS_IN_FLIGHT',
  StoreUnavailable = 'STORE_UNAVAILABLE',
  SubscriberSettingsDiffer = 'SUBSCRIBER_SETTINGS_DIFFER',
  SubscriberNameTaken = 'SUBSCRIBER_NAME_TAKEN',
  NotRetained = 'NOT_RETAINED',
  PushNotEnabled = 'PUSH_NOT_ENABLED',
  PushUrlNotAllowed = 'PUSH_URL_NOT_ALLOWED',
  TooManyStreams = 'TOO_MANY_STREAMS',
  SubjectNotFound = 'SUBJECT_NOT_FOUND',
  InvalidRequest = 'INVALID_REQUEST',
  PatternReplay = 'PATTERN_REPLAY',
}

/** The broker's own error: thrown by BrokerService, mapped to HTTP once, by BrokerExceptionFilter. */
export class BrokerError extends Error {
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BrokerError';
  }

  static invalidSubject = () => new BrokerError(BrokerErrorCode.InvalidSubject, 'invalid subject');
  static subscriberNotFound = () => new BrokerError(BrokerErrorCode.SubscriberNotFound, 'subscriber not found');
  static overflow = () => new BrokerError(BrokerErrorCode.Overflow, 'broker overflow');
  static badId = () => new BrokerError(BrokerErrorCode.BadId, 'bad id');
  static asyncQueueFull = () => new BrokerError(BrokerErrorCode.AsyncQueueFull, 'async queue full');
  static tooManySubscribers = () => new BrokerError(BrokerErrorCode.TooManySubscribers, 'too many subscribers');
  static shuttingDown = () => new BrokerError(BrokerErrorCode.ShuttingDown, 'broker is shutting down');
  static notAcknowledged = () => new BrokerError(BrokerErrorCode.NotAcknowledged, 'subscriber does not use acknowledgements');
  static subscriberSettingsDiffer = () => new BrokerError(BrokerErrorCode.SubscriberSettingsDiffer, 'subscriber exists with other settings');
  static subscriberNameTaken = () => new BrokerError(BrokerErrorCode.SubscriberNameTaken, 'subscriber name taken');
  static notRetained = () => new BrokerError(BrokerErrorCode.NotRetained, 'subject does not retain messages');
  static pushNotEnabled = () => new BrokerError(BrokerErrorCode.PushNotEnabled, 'push delivery is not enabled');
  static pushUrlNotAllowed = () => new BrokerError(BrokerErrorCode.PushUrlNotAllowed, 'push URL not allowed');
  static tooManyStreams = () => new BrokerError(BrokerErrorCode.TooManyStreams, 'too many streams');
  static subjectNotFound = () => new BrokerError(BrokerErrorCode.SubjectNotFound, 'subject not found');
  /** A query parameter or field out of range, named in the message (`limit: …`). */
  static invalidRequest = (message: string) => new BrokerError(BrokerErrorCode.InvalidRequest, message);
  static patternReplay = () => new BrokerError(BrokerErrorCode.PatternReplay, 'deliver {"fromSeq": …} is not supported on a wildcard subject: seqs are per subject (use "all", "last" or {"fromTime": …})');
  static storeUnavailable = () => new BrokerError(BrokerErrorCode.StoreUnavailable, 'store unavailable');
  static tooManyAnswersInFlight = () => new BrokerError(BrokerErrorCode.TooManyAnswersInFlight, 'too many fetch answers in flight; retry later');
}
