/** Emitted once per accepted async publish; AsyncPublishWorker puts it into the broker. */
export const ASYNC_PUBLISH_EVENT = 'publish.async';

export interface AsyncPublishEvent {
  subject: string;
  data: string;
}
