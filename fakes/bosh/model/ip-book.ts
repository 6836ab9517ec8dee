import type { DeploymentRecord, IpReservation } from '../state.js';

const key = (network: string, ip: string) => `${network}\u0000${ip}`;

/**
 * The IP reservations of every deployment (the director's `ip_addresses` table), over the state's
 * `ip_reservations` list. A deploy reserves each address as it plans it, so a deploy that plans
 * while another is still running never takes an address the other holds.
 */
export class IpBook {
  #index: Map<string, IpReservation> | null = null;

  constructor(private readonly list: () => IpReservation[], private readonly setList: (l: IpReservation[]) => void) {}

  /** Drops the derived index (after a restore or reset). */
  invalidate(): void {
    this.#index = null;
  }

  #map(): Map<string, IpReservation> {
    if (!this.#index) this.#index = new Map(this.list().map((r) => [key(r.network, r.ip), r]));
    return this.#index;
  }

  holder(network: string, ip: string): IpReservation | undefined {
    return this.#map().get(key(network, ip));
  }

  /** Records a reservation; an address someone else holds is left to its holder. */
  reserve(r: IpReservation): boolean {
    const held = this.holder(r.network, r.ip);
    if (held) return held.deployment === r.deployment && held.instance === r.instance;
    this.list().push(r);
    this.#map().set(key(r.network, r.ip), r);
    return true;
  }

  /** A deploy finished: the deployment holds exactly the addresses its instances have. */
  commit(d: DeploymentRecord): void {
    const wanted = new Set(d.instances.flatMap((i) => i.networks.map((n) => `${key(n.name, n.ip)}\u0000${i.id}`)));
    this.#filter((r) => r.deployment !== d.name || wanted.has(`${key(r.network, r.ip)}\u0000${r.instance}`));
    for (const r of this.list()) if (r.deployment === d.name) r.task_id = null;
    for (const i of d.instances) {
      for (const n of i.networks) this.reserve({ network: n.name, ip: n.ip, deployment: d.name, instance: i.id, task_id: null });
    }
  }

  /** A task ended: what it reserved and did not commit goes back. */
  releaseTask(taskId: number): void {
    if (this.list().some((r) => r.task_id === taskId)) this.#filter((r) => r.task_id !== taskId);
  }

  releaseDeployment(name: string): void {
    this.#filter((r) => r.deployment !== name);
  }

  #filter(keep: (r: IpReservation) => boolean): void {
    this.setList(this.list().filter(keep));
    this.#index = null;
  }
}
