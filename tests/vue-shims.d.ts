/// <reference types="vite/client" />
// tsc (tsconfig.node.json) checks the tests without vue-tsc: to it a component is opaque.
// vue-tsc checks the components themselves (tsconfig.app.json).
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
