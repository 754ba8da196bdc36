import type {
  EventName,
  EventPayload,
  MethodArgs,
  MethodName,
  MethodResult,
  ShootlineBridge,
} from '../../../shared/api';
import { errorFromInfo } from '../../../shared/errors';

/** The renderer's typed client: unwraps envelopes so UI code can `await` results and `catch` AppErrors. */
export class ApiClient {
  private readonly bridge: ShootlineBridge;

  constructor(bridge: ShootlineBridge) {
    this.bridge = bridge;
  }

  async call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
    const envelope = await this.bridge.invoke(method, args);
    if (!envelope.ok) throw errorFromInfo(envelope.error);
    return envelope.result;
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.bridge.subscribe(event, listener);
  }
}
