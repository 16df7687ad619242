// Turning the resources a batch wants stored into resource versions: unchanged content is not
// written again (a re-sent record makes no new version), changed content becomes the next
// version of the stored resource, new content version 1.
import type { Resource } from '@medplum/fhirtypes';
import { extractIndex } from '../store/indexer.ts';
import type { VersionToWrite } from '../store/resource-writer.ts';
import { contentKey } from './references.ts';
import { storedContent, type CurrentRow } from './stored.ts';

export class VersionPlan {
  readonly inserts: VersionToWrite[] = [];
  readonly updates: VersionToWrite[] = [];
  private readonly now = Date.now();
  private readonly sourceFacility: string | null;
  /** `Type/id` already planned: a later write of the same resource in the batch replaces it. */
  private readonly planned = new Map<string, { list: VersionToWrite[]; index: number }>();

  constructor(sourceFacility: string | null) {
    this.sourceFacility = sourceFacility;
  }

  get written(): number {
    return this.inserts.length + this.updates.length;
  }

  /** Plans `resource` (with its id set) against the stored row; returns true when a version is written. */
  write(resource: Resource & { id: string }, current: CurrentRow | undefined): boolean {
    const key = `${resource.resourceType}/${resource.id}`;
    if (current && !this.planned.has(key)) {
      const stored = storedContent(current) as unknown as Record<string, unknown>;
      if (contentKey(stored) === contentKey(resource as unknown as Record<string, unknown>)) return false;
    }
    const prior = this.planned.get(key);
    const versionId = prior ? prior.list[prior.index]!.versionId : current ? current.versionId + 1 : 1;
    const lastUpdated = new Date(Math.max(this.now, current ? current.lastUpdated.getTime() + 1 : 0)).toISOString();
    const stored = { ...resource, meta: { ...resource.meta, versionId: String(versionId), lastUpdated } } as Resource & { id: string };
    const { rows, compartment } = extractIndex(stored);
    const version: VersionToWrite = {
      resourceType: stored.resourceType,
      id: stored.id,
      versionId,
      lastUpdated,
      deleted: false,
      method: current ? 'update' : 'create',
      compartment: compartment ?? null,
      sourceFacility: this.sourceFacility,
      content: JSON.stringify(stored),
      index: rows,
      ...(current ? { existing: { rid: current.rid, versionId: current.versionId } } : {}),
    };
    if (prior) {
      prior.list[prior.index] = version;
      return false;
    }
    const list = current ? this.updates : this.inserts;
    list.push(version);
    this.planned.set(key, { list, index: list.length - 1 });
    return true;
  }

  delete(current: CurrentRow): void {
    const key = `${current.resourceType}/${current.id}`;
    if (this.planned.has(key)) return;
    const lastUpdated = new Date(Math.max(this.now, current.lastUpdated.getTime() + 1)).toISOString();
    const version: VersionToWrite = {
      resourceType: current.resourceType,
      id: current.id,
      versionId: current.versionId + 1,
      lastUpdated,
      deleted: true,
      method: 'delete',
      compartment: null,
      sourceFacility: this.sourceFacility,
      content: null,
      index: null,
      existing: { rid: current.rid, versionId: current.versionId },
    };
    this.updates.push(version);
    this.planned.set(key, { list: this.updates, index: this.updates.length - 1 });
  }

  has(type: string, id: string): boolean {
    return this.planned.has(`${type}/${id}`);
  }
}
