/**
 * What the fax service does, from the settings: the lines it answers, after how many rings,
 * where the archive lives and what happens to each received fax (lib/delivery actions).
 */
import type { FaxSettings } from '../config/index.js';
import type { DeliveryAction } from '../delivery/index.js';

export interface ServicePlan {
  devices: readonly string[];
  rings: number;
  spool: string;
  actions: DeliveryAction[];
  /** RejectCallers: TSI / caller ID patterns refused (lib/service/screen.ts). */
  rejectCallers: readonly string[];
  /** MinFreeSpace in bytes (0: no check). */
  minFreeBytes: number;
}

export function servicePlan(settings: FaxSettings): ServicePlan {
  const s = settings.service;
  const actions: DeliveryAction[] = [];
  if (s.deliverMail.length > 0) actions.push({ kind: 'mail', to: [...s.deliverMail] });
  if (s.deliverFolder !== '') actions.push({ kind: 'folder', dir: s.deliverFolder });
  if (s.deliverPrint !== '') actions.push({ kind: 'print', queue: s.deliverPrint });
  if (s.deliverHook !== '') actions.push({ kind: 'hook', command: [s.deliverHook] });
  return {
    devices: [...s.receiveDevices],
    rings: s.answerRings,
    spool: s.spoolDir,
    actions,
    rejectCallers: [...s.rejectCallers],
    minFreeBytes: s.minFreeSpace,
  };
}
