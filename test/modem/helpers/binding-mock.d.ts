/**
 * @serialport/binding-mock 10.x ships types its package.json "exports" does not expose under
 * NodeNext resolution; this declares the part the tests use.
 */
declare module '@serialport/binding-mock' {
  import type {
    BindingInterface,
    BindingPortInterface,
    OpenOptions,
    PortInfo,
  } from '@serialport/bindings-interface';
  export class MockPortBinding implements BindingPortInterface {
    readonly openOptions: Required<OpenOptions>;
    isOpen: boolean;
    emitData(data: Buffer | string): void;
    close(): Promise<void>;
    read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
    write(buffer: Buffer): Promise<void>;
    update(options: { baudRate: number }): Promise<void>;
    set(options: object): Promise<void>;
    get(): Promise<{ cts: boolean; dsr: boolean; dcd: boolean }>;
    getBaudRate(): Promise<{ baudRate: number }>;
    flush(): Promise<void>;
    drain(): Promise<void>;
  }
  export interface MockBindingInterface extends BindingInterface<MockPortBinding> {
    open(options: OpenOptions): Promise<MockPortBinding>;
    list(): Promise<PortInfo[]>;
    reset(): void;
    createPort(path: string, opt?: { echo?: boolean; record?: boolean }): void;
  }
  export const MockBinding: MockBindingInterface;
}
